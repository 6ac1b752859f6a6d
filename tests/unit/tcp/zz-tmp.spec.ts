import { freshTcb } from "./fixtures";
describe("x", () => { it("y", () => { const t = freshTcb(); expect(t.rto).toBe(0); }); });
