"""The TopoJSON decoder: quantisation, delta encoding, reversed arcs, holes."""

from __future__ import annotations

import shapely

from mare.analyse.geo.topojson import decode_arcs, features

# Two squares sharing an edge, quantised with scale 1 and translate (10, 20); arc 0 is the
# shared edge, used forwards by A and reversed (~0 == -1) by B.
TOPOLOGY = {
    "type": "Topology",
    "transform": {"scale": [1, 1], "translate": [10, 20]},
    "arcs": [
        [[2, 0], [0, 2]],  # (12,20)->(12,22): shared edge
        [[12, 22], [-2, 0], [0, -2], [2, 0]],  # (12,22)->(10,22)->(10,20)->(12,20)
        [[12, 20], [2, 0], [0, 2], [-2, 0]],  # (12,20)->(14,20)->(14,22)->(12,22)
    ],
    "objects": {
        "shapes": {
            "type": "GeometryCollection",
            "geometries": [
                {"type": "Polygon", "id": "A", "properties": {"name": "west"}, "arcs": [[0, 1]]},
                {"type": "Polygon", "id": "B", "properties": {"name": "east"}, "arcs": [[2, -1]]},
            ],
        }
    },
}


def test_arcs_are_delta_decoded_and_transformed() -> None:
    arcs = decode_arcs(TOPOLOGY)
    assert arcs[0].tolist() == [[12.0, 20.0], [12.0, 22.0]]
    assert arcs[1].tolist() == [[22.0, 42.0], [20.0, 42.0], [20.0, 40.0], [22.0, 40.0]]


def test_reversed_arcs_stitch_into_closed_rings() -> None:
    topology = {**TOPOLOGY, "transform": None}
    topology["arcs"] = [
        [[12, 20], [12, 22]],
        [[12, 22], [10, 22], [10, 20], [12, 20]],
        [[12, 20], [14, 20], [14, 22], [12, 22]],
    ]
    shapes = {f.id: f for f in features(topology, "shapes")}
    west, east = shapes["A"].geometry, shapes["B"].geometry
    assert west.area == 4 and east.area == 4
    assert west.contains(shapely.Point(11, 21)) and east.contains(shapely.Point(13, 21))
    assert shapes["A"].properties == {"name": "west"}
    assert west.intersection(east).length == 2  # they share the decoded edge exactly


def test_unknown_object_is_a_clear_error() -> None:
    try:
        list(features(TOPOLOGY, "countries"))
    except ValueError as exc:
        assert "countries" in str(exc)
    else:
        raise AssertionError("expected ValueError")
