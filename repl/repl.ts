export async function startRepl(_o: { file?: string; backend?: string }): Promise<void> {}
