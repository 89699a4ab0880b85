// The plaintext endpoint of the TechEmpower "plaintext" kind: Kestrel and routing, nothing else.
// The same host defaults as the API (WebApplication.CreateBuilder), but no logging providers: a log
// line per request would measure the console, not Kestrel.
var builder = WebApplication.CreateBuilder(args);
builder.Logging.ClearProviders();

var app = builder.Build();
app.MapGet("/plaintext", () => "Hello, World!");
await app.RunAsync();
