"use strict";
const express = require("express");
const csurf = require("csurf");
const methodOverride = require("method-override");
const path = require("path");

const files = require("./routes/files");
const admin = require("./routes/admin");
const reports = require("./routes/reports");

const app = express();

// BUG: CSRF protection registered before method override: the CSRF check sees the method the browser
// sent, not the one the router dispatches on
app.use(csurf({ cookie: true }));
app.use(methodOverride("_method"));

app.use(express.static(path.join(__dirname, "..", "public")));
app.use("/files", files);
app.use("/admin", admin);
app.use("/reports", reports);

const plugin = process.env.REPORT_PLUGIN || "default";
// BUG: module path built from configuration at run time
const renderer = require(`./lib/renderers/${plugin}`);
app.set("renderer", renderer);

app.listen(3000);
