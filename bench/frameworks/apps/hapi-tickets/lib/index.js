const Hapi = require("@hapi/hapi");
const Jwt = require("@hapi/jwt");
const tickets = require("./handlers/tickets");
const admin = require("./handlers/admin");

const start = async () => {
  const server = Hapi.server({ port: process.env.PORT || 8080, host: "0.0.0.0" });
  await server.register(Jwt);
  server.auth.strategy("token", "jwt", {
    keys: process.env.JWT_KEY,
    verify: { aud: false, iss: false, sub: false },
    validate: (artifacts) => ({ isValid: true, credentials: { user: artifacts.decoded.payload } }),
  });
  server.auth.default("token");
  server.route([
    { method: "GET", path: "/tickets", handler: tickets.list },
    { method: "GET", path: "/tickets/{id}", handler: tickets.get },
    { method: "POST", path: "/tickets/import", handler: tickets.importXml },
    { method: "POST", path: "/admin/settings", handler: admin.settings },
    { method: "GET", path: "/admin/logs/{file}", handler: admin.log },
    { method: "GET", path: "/health", options: { auth: false }, handler: () => "ok" },
  ]);
  await server.start();
};

start();
