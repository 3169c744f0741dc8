/** Bytes per chunk of an upload body: progress is reported once per chunk the HTTP client pulls. */
const CHUNK = 64 * 1024;

/**
 * A request body of `data` as a stream that reports upload progress (`onProgress(sentBytes, totalBytes)` as the
 * HTTP client pulls each chunk), with an exact `content-length`. Returns a factory: each call makes a fresh stream,
 * so a retried request can send it again. (`multipartBody` does the same for a form with a file.)
 */
export function uploadBody(
  data: Uint8Array, contentType: string, onProgress?: (sent: number, total: number) => void,
): () => { body: ReadableStream<Uint8Array>; headers: Record<string, string> } {
  const total = data.byteLength;
  return () => {
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= total) return controller.close();
        const chunk = data.subarray(sent, sent + CHUNK);
        sent += chunk.byteLength;
        controller.enqueue(chunk);
        onProgress?.(sent, total);
      },
    });
    return { body, headers: { "content-type": contentType, "content-length": String(total) } };
  };
}
