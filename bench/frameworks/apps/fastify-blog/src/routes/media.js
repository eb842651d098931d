const fs = require("fs");
const path = require("path");
const { pipeline } = require("stream/promises");
const { request: fetchUrl } = require("undici");

const UPLOADS = path.join(__dirname, "..", "..", "uploads");

module.exports = async function (fastify) {
  fastify.addHook("onRequest", fastify.authenticate);

  fastify.post("/upload", async (request) => {
    const file = await request.file();
    await pipeline(file.file, fs.createWriteStream(path.join(UPLOADS, file.filename)));
    return { stored: file.filename };
  });

  fastify.get("/files/:name", async (request, reply) => {
    return reply.send(fs.createReadStream(path.join(UPLOADS, request.params.name)));
  });

  fastify.post("/import", async (request) => {
    const { body } = await fetchUrl(request.body.url);
    return { size: (await body.text()).length };
  });
};
