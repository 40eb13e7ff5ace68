/** solc-js 0.8.21 (npm `solc@0.8.21`, installed as `solc-0.8.21`) ships no types: the part the Roles build calls. */
declare module 'solc-0.8.21' {
  const solc: {
    compile(input: string, callbacks?: { import: (path: string) => { contents: string } | { error: string } }): string
    version(): string
  }
  export default solc
}
