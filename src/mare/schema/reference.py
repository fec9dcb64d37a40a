"""Human reference of the vocabulary, generated from the model so the docs cannot drift."""

from __future__ import annotations

from mare.schema.model import FieldSpec, Model, load_model

BEGIN = "<!-- BEGIN GENERATED: mare schema --markdown -->"
END = "<!-- END GENERATED -->"


def _type(spec: FieldSpec) -> str:
    text = spec.type
    if spec.values:
        text += ": " + ", ".join(f"`{v}`" for v in spec.values)
    if spec.multiple:
        text += " (one or many)"
    return text


def kinds_markdown(model: Model | None = None) -> str:
    """Markdown tables of every record kind, link kind and code list."""
    model = model or load_model()
    out: list[str] = [BEGIN, "", "### Record kinds", ""]
    for kind in model.kinds.values():
        out += [
            f"#### `{kind.name}` — {kind.label}",
            "",
            "| field | type | required | meaning |",
            "|---|---|---|---|",
        ]
        for f in kind.fields.values():
            out.append(f"| `{f.name}` | {_type(f)} | {'yes' if f.required else ''} | {f.label} |")
        out.append("")
    out += ["### Link kinds", "", "| link | from | to | directed | own fields |", "|---|---|---|---|---|"]
    for link in model.links.values():
        own = ", ".join(f"`{n}`" for n in link.fields if n not in ("since", "until", "note"))
        out.append(
            f"| `{link.name}` | {', '.join(link.source)} | {', '.join(link.target)} | "
            f"{'yes' if link.directed else 'no'} | {own} |"
        )
    out += [
        "",
        "Every link may also carry `since`, `until` (dates) and `note`.",
        "",
        "### Handling codes",
        "",
        "| code | meaning |",
        "|---|---|",
    ]
    out += [f"| `{c}` | {m} |" for c, m in model.handling_codes.items()]
    out += ["", "### Evaluation schemes", ""]
    for name, scheme in model.evaluation_schemes.items():
        out.append(
            f"- **{name}** — source: "
            + ", ".join(f"`{k}` {v}" for k, v in scheme["source"].items())
            + "; information: "
            + ", ".join(f"`{k}` {v}" for k, v in scheme["information"].items())
        )
    out += ["", "### Person categories", ""]
    out += [f"- `{c}` — {m}" for c, m in model.person_categories.items()]
    out += [
        "",
        "### Crime areas",
        "",
        ", ".join(f"`{c}`" for c in model.crime_areas),
        "",
        "### Roles",
        "",
        ", ".join(f"`{r}`" for r in model.roles),
        "",
        END,
    ]
    return "\n".join(out)
