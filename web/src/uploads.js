// Evidence files go up in chunks. A phone in a village loses its connection:
// on a network error (or a 409 saying the server has a different count) the
// client asks the server how much arrived and goes on from there, waiting a
// little longer each time, so a photo is never sent twice nor half.
import { api } from './api.js'

const RETRYABLE = new Set([0, 409, 502, 503, 504])

// Uploads `file` (a File or Blob with a name); resolves to the stored file's
// record {id, sha256, kind, media_type, size, name}. `onProgress(0..1)`.
export async function uploadFile(file, { onProgress = () => {}, keepMetadata = false, retries = 6, wait = sleep } = {}) {
  const begun = await api.beginUpload(file.name, file.size, keepMetadata)
  const id = begun.upload.id
  const chunk = begun.chunk_bytes
  let offset = 0
  let failures = 0
  for (;;) {
    try {
      const r = await api.appendUpload(id, offset, file.slice(offset, offset + chunk))
      failures = 0
      offset = r.upload.received
      onProgress(offset / file.size)
      if (r.file) return r.file
    } catch (e) {
      if (!RETRYABLE.has(e.status) || ++failures > retries) throw e
      await wait(Math.min(10000, 400 * 2 ** failures))
      offset = await receivedSoFar(id, offset)
    }
  }
}

// The server's count of bytes received, or `fallback` when it cannot be asked now.
async function receivedSoFar(id, fallback) {
  try {
    return (await api.getUpload(id)).upload.received
  } catch {
    return fallback
  }
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

export const ACCEPTED_FILES = 'image/jpeg,image/png,image/heic,.heic,video/mp4,application/pdf'
