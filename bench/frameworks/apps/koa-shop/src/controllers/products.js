const ejs = require("ejs");
const { Product, Review } = require("../lib/models");

exports.list = async (ctx) => {
  const filter = ctx.query.filter ? JSON.parse(ctx.query.filter) : {};
  ctx.body = await Product.find(filter);
};

exports.show = async (ctx) => {
  const product = await Product.findOne({ slug: ctx.params.slug });
  ctx.body = ejs.render("<h1><%- name %></h1><p>" + ctx.query.ref + "</p>", product);
};

exports.review = async (ctx) => {
  const { text } = ctx.request.body;
  await Review.create({ product: ctx.params.id, text: String(text) });
  ctx.status = 201;
};
