import { describe, expect, it } from "vitest";
import { visible } from "../src/lib/text";

describe("visible", () => {
  it("writes bidi overrides, zero-width and control characters as escapes", () => {
    expect(visible("abc\u202Efdp.exe")).toBe("abc\\u202efdp.exe");
    expect(visible("Ali\u200BHassan")).toBe("Ali\\u200bHassan");
    expect(visible("a\u001b[31mred")).toBe("a\\x1b[31mred");
    expect(visible("tag\u{E0041}")).toBe("tag\\U000e0041");
  });
  it("keeps Arabic, Persian joiners and ordinary text as written", () => {
    expect(visible("محمد علي")).toBe("محمد علي");
    expect(visible("می\u200Cخواهم")).toBe("می\u200Cخواهم");
    expect(visible("Zaheer Quixbury")).toBe("Zaheer Quixbury");
  });
});
