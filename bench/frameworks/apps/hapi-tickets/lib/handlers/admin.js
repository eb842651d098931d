const fs = require("fs/promises");
const yaml = require("js-yaml");

exports.settings = async (request) => {
  const settings = yaml.load(request.payload.yaml);
  await fs.writeFile("/etc/tickets/settings.json", JSON.stringify(settings));
  return settings;
};

exports.log = async (request, h) => {
  const content = await fs.readFile(`/var/log/tickets/${request.params.file}`, "utf8");
  return h.response(content).type("text/plain");
};
