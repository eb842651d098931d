const { searchPosts, getPost, renderPreview } = require("../services/posts");

module.exports = async function (fastify) {
  fastify.get("/", async (request) => {
    const { q, sort } = request.query;
    return searchPosts(fastify.pg, q, sort);
  });

  fastify.get("/:id", {
    schema: { params: { type: "object", properties: { id: { type: "integer" } }, required: ["id"] } },
  }, async (request) => getPost(fastify.pg, request.params.id));

  fastify.post("/preview", { onRequest: [fastify.authenticate] }, async (request, reply) => {
    reply.type("text/html");
    return renderPreview(request.body.markdown);
  });

  fastify.delete("/:id", { onRequest: [fastify.authenticate] }, async (request) => {
    await fastify.pg.query("DELETE FROM posts WHERE id = $1 AND author = $2", [request.params.id, request.user.sub]);
    return { deleted: true };
  });
};
