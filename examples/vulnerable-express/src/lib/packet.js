"use strict";

// Parses the binary header sent by legacy devices.
function parseHeader(buffer, offset) {
  // BUG: noAssert skips bounds checks (old Node.js): reads past the end of the buffer
  const length = buffer.readUInt16BE(offset, true);
  const kind = buffer.readUInt8(offset + 2);
  return { length, kind };
}

module.exports = { parseHeader };
