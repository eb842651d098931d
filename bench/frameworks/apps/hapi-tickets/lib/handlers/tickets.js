const xml2js = require("xml2js");
const db = require("../db");

exports.list = async (request) => {
  const status = request.query.status || "open";
  return db.raw(`SELECT * FROM tickets WHERE status = '${status}' ORDER BY created_at DESC`);
};

exports.get = async (request) => db("tickets").where({ id: request.params.id }).first();

exports.importXml = async (request, h) => {
  const parsed = await xml2js.parseStringPromise(request.payload);
  await db("tickets").insert(parsed.tickets.ticket.map((t) => ({ title: t.title[0] })));
  return h.response({ imported: parsed.tickets.ticket.length }).code(201);
};
