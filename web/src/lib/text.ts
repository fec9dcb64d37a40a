// Values from contributions shown safely: the same rule as the server's `mare.visible_text.visible`.
// Control characters and invisible formatting characters (bidi marks, embeddings, overrides and
// isolates, zero-width characters, the BOM, the Unicode tag block) are written as escapes such as
// "\u202e", so a name cannot reorder or hide the text around it; the joiners U+200C and U+200D, part
// of Persian and Indic names, are kept.

const UNSAFE =
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u115f\u1160\u180e\u200b\u200e\u200f\u2028-\u202e\u2060-\u206f\u3164\ufeff\ufff9-\ufffb]|\udb40[\udc00-\udc7f]/g;

function escapeOne(ch: string): string {
  const code = ch.codePointAt(0) ?? 0;
  if (code < 0x100) return `\\x${code.toString(16).padStart(2, "0")}`;
  if (code < 0x10000) return `\\u${code.toString(16).padStart(4, "0")}`;
  return `\\U${code.toString(16).padStart(8, "0")}`;
}

/** The text with control and invisible formatting characters written as visible escapes. */
export function visible(text: string): string {
  return text.replace(UNSAFE, escapeOne);
}
