"""Geography: gazetteer, point-in-country, geocoding, hotspots, emerging hotspots and routes.

Entry points (import from the modules; this package imports nothing heavy on its own):
`countries.country_at` / `countries_of`, `geocode.geocode`, `hotspots.find_hotspots`,
`emerging.find_emerging_hotspots`, `clusters.density_clusters`, `routes.classify_points` /
`classify_legs` / `classify_journey`. Methods and choices: docs/geo.md.
"""
