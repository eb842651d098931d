const Router = require("koa-router");
const products = require("./controllers/products");
const account = require("./controllers/account");
const { requireLogin } = require("./lib/auth");

const router = new Router();
router.get("/products", products.list);
router.get("/products/:slug", products.show);
router.post("/products/:id/reviews", requireLogin, products.review);
router.post("/login", account.login);
router.get("/avatar", requireLogin, account.avatar);
router.post("/account/webhook", requireLogin, account.webhook);
router.post("/account/email", account.changeEmail);
module.exports = router;
