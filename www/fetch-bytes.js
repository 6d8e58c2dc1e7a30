// A file shipped with the page, as an ArrayBuffer, with a message that names it when it cannot
// be had. Used by the page (worker-client.js) and by the worker; index.html's first downloads
// repeat these few lines inline, since they run before any module loads.
export async function fetchBytes(path) {
  let response;
  try {
    response = await fetch(path);
  } catch (e) {
    throw new Error(`could not download ${path}: ${e.message}`);
  }
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status} (was ./build.sh run?)`);
  return response.arrayBuffer();
}
