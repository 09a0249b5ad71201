import { toJsxRuntime } from "hast-util-to-jsx-runtime";
import { common, createLowlight } from "lowlight";
import { Fragment, jsx, jsxs } from "react/jsx-runtime";

/** highlight.js grammars (the common set) through lowlight: a syntax tree, rendered as React elements, never as HTML. */
const lowlight = createLowlight(common);

export function highlight(code: string, language: string): React.ReactNode | null {
  const name = language.toLowerCase();
  if (!lowlight.registered(name)) return null;
  return toJsxRuntime(lowlight.highlight(name, code), { Fragment, jsx, jsxs });
}
