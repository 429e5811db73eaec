/**
 * Text bound for a terminal. Connection names, queue names and error messages come from the DLI
 * API; an ESC or CSI sequence in one could recolour, move the cursor, retitle the window or (in
 * some terminals) write to the clipboard. C0 and C1 controls go; line breaks and tabs become a
 * space (a table cell or a one-line message must stay one line); bidirectional overrides go too,
 * so a name cannot display as something else.
 */
export const terminalText = (s: string): string =>
  s
    .replace(/[\t\n\v\f\r\u0085\u2028\u2029]/g, ' ')
    // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point.
    .replace(/[\u0000-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/g, '');
