/**
 * Ways to write "go to another site" that pass naive string checks on a callbackUrl; after sign-in
 * each must land on /chat. Used by the unit test of safeCallbackUrl and by the browser in e2e.
 */
export const REDIRECT_TRICKS = [
  "//evil.example",
  "///evil.example",
  "////evil.example/chat",
  "/\\evil.example",
  "\\\\evil.example",
  "\\/evil.example",
  "/\t/evil.example",
  "/\n/evil.example",
  "/\r\n/evil.example",
  "\t//evil.example",
  " //evil.example",
  "/.//evil.example",
  "/chat/..//evil.example",
  "https://evil.example",
  "HTTPS://evil.example/chat",
  "https:/evil.example",
  "http://localhost:3000@evil.example/",
  "//evil.example\\@localhost:3000",
  "javascript:alert(document.domain)",
  "JaVaScRiPt:alert(1)",
  "java\tscript:alert(1)",
  " javascript:alert(1)",
  "\u0000javascript:alert(1)",
  "data:text/html,<script>alert(1)</script>",
  "vbscript:msgbox(1)",
  "http://[::1]:3000/chat",
  "http://127.0.0.1:3000/chat",
];
