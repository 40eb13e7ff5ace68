/** solc-js 0.6.10 (npm `solc@0.6.10`, installed as `solc-0.6.10`) ships no types: the part the Gamma build calls. */
declare module 'solc-0.6.10' {
  const solc: {
    compile(input: string, callbacks?: { import: (path: string) => { contents: string } | { error: string } }): string
    version(): string
  }
  export default solc
}
