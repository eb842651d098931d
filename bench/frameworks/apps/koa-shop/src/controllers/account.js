const fs = require("fs");
const path = require("path");
const axios = require("axios");
const bcrypt = require("bcrypt");
const { User } = require("../lib/models");

exports.login = async (ctx) => {
  const user = await User.findOne({ email: ctx.request.body.email, hash: { $exists: true } });
  if (!user || !(await bcrypt.compare(ctx.request.body.password, user.hash))) ctx.throw(401);
  ctx.session.userId = user.id;
  ctx.redirect(ctx.request.body.returnTo || "/");
};

exports.avatar = async (ctx) => {
  const user = await User.findById(ctx.session.userId);
  ctx.body = fs.createReadStream(path.join(__dirname, "../../avatars", ctx.query.size || "", user.avatar));
};

exports.webhook = async (ctx) => {
  const response = await axios.post(ctx.request.body.callback, { ok: true });
  ctx.body = { status: response.status };
};

exports.changeEmail = async (ctx) => {
  await User.updateOne({ _id: ctx.session.userId }, { email: ctx.request.body.email });
  ctx.body = { ok: true };
};
