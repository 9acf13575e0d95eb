// Declarations for the part of opencc-js the recognizer uses: its subpath export is not resolved with
// `moduleResolution: node`.
declare module 'opencc-js/t2cn' {
  export type Locale = 'cn' | 'tw' | 'twp' | 'hk' | 'jp' | 't';
  export function Converter(options: { from: Locale; to: Locale }): (text: string) => string;
}

declare module 'opencc-js/cn2t' {
  export function Converter(options: { from: 'cn'; to: 'tw' | 'twp' | 'hk' }): (text: string) => string;
}
