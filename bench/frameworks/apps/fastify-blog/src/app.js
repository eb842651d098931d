const Fastify = require("fastify");
const jwt = require("@fastify/jwt");
const multipart = require("@fastify/multipart");
const db = require("./plugins/db");
const authenticate = require("./plugins/authenticate");
const posts = require("./routes/posts");
const media = require("./routes/media");
const users = require("./routes/users");

function build() {
  const app = Fastify({ logger: true });
  app.register(jwt, { secret: process.env.JWT_SECRET });
  app.register(multipart);
  app.register(db);
  app.register(authenticate);
  app.register(posts, { prefix: "/posts" });
  app.register(media, { prefix: "/media" });
  app.register(users, { prefix: "/users" });
  return app;
}

build().listen({ port: Number(process.env.PORT) || 3000, host: "0.0.0.0" });
