export const SECRET = process.env.JWT_SECRET ?? "";
