/**
 * Runs a synchronous assertion and, if it fails, puts `context` in front of its message: Jest's
 * `expect` takes no message argument, and a failure inside a loop needs to say which case it was.
 */
export function withContext(context: string | undefined, assertion: () => void): void {
  try {
    assertion();
  } catch (error) {
    if (context && error instanceof Error) {
      const original = error.message;
      error.message = `${context}\n\n${original}`;
      // Jest prints the stack, whose first lines were rendered from the original message.
      if (error.stack?.includes(original)) error.stack = error.stack.replace(original, error.message);
    }
    throw error;
  }
}
