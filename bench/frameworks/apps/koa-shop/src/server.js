const Koa = require("koa");
const { koaBody } = require("koa-body");
const session = require("koa-session");
const serve = require("koa-static");
const router = require("./router");

const app = new Koa();
app.keys = [process.env.SESSION_KEY];
app.use(serve(__dirname + "/../public"));
app.use(session({ key: "shop.sid", httpOnly: true }, app));
app.use(koaBody({ multipart: true }));
app.use(router.routes()).use(router.allowedMethods());
app.listen(process.env.PORT || 3000);
