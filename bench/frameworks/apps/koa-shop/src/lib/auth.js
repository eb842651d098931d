async function requireLogin(ctx, next) {
  if (!ctx.session.userId) ctx.throw(401, "sign in first");
  await next();
}
module.exports = { requireLogin };
