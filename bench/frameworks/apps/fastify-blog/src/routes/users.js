const bcrypt = require("bcrypt");

module.exports = async function (fastify) {
  fastify.post("/login", async (request, reply) => {
    const { email, password } = request.body;
    const { rows } = await fastify.pg.query("SELECT id, hash FROM users WHERE email = $1", [email]);
    if (!rows[0] || !(await bcrypt.compare(password, rows[0].hash))) {
      return reply.code(401).send({ message: "bad credentials" });
    }
    return { token: fastify.jwt.sign({ sub: rows[0].id }, { expiresIn: "1h" }) };
  });

  fastify.get("/export", async (request, reply) => {
    const columns = request.query.columns || "email";
    const { rows } = await fastify.pg.query("SELECT " + columns + " FROM users");
    return rows;
  });
};
