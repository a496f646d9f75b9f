import { isAsyncOperation, retryAfterMs } from "../../provider/transport";

describe("ARM asynchronous operations", () => {
  it("reads Retry-After as seconds or as an HTTP date", () => {
    expect(retryAfterMs({ "retry-after": "3" })).toBe(3000);
    expect(retryAfterMs({ "retry-after": "0" })).toBe(0);
    const now = Date.parse("2026-12-01T10:00:00Z");
    expect(retryAfterMs({ "retry-after": "Tue, 01 Dec 2026 10:00:05 GMT" }, now)).toBe(5000);
    expect(retryAfterMs({})).toBeUndefined();
    expect(retryAfterMs({ "retry-after": "soon" })).toBeUndefined();
  });

  it("awaits only a 201 or 202 that names a status or a location to poll", () => {
    const res = (status: number, headers: Record<string, string>) => ({ status, headers, data: undefined });
    expect(isAsyncOperation(res(202, { location: "https://management.azure.com/x" }))).toBe(true);
    expect(isAsyncOperation(res(201, { "azure-asyncoperation": "https://management.azure.com/x" }))).toBe(
      true,
    );
    expect(isAsyncOperation(res(201, {}))).toBe(false);
    expect(isAsyncOperation(res(200, { location: "https://management.azure.com/x" }))).toBe(false);
  });
});
