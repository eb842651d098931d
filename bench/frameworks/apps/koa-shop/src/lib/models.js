const mongoose = require("mongoose");

const Product = mongoose.model("Product", new mongoose.Schema({ slug: String, name: String, price: Number }));
const User = mongoose.model("User", new mongoose.Schema({ email: String, hash: String, avatar: String }));
const Review = mongoose.model("Review", new mongoose.Schema({ product: String, text: String }));
module.exports = { Product, User, Review };
