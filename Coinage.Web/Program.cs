using Coinage.Web.FrontEnd;
using Coinage.Web.Proxy;
using Coinage.Web.Security;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddJsonProblemDetails();
builder.AddSecurityHeaders();
builder.AddFrontEnd();
builder.AddApiProxy();

var app = builder.Build();

// The client's address and scheme, from the ingress in Coinage:ForwardedHeaders only (ServiceDefaults); the proxy passes them on.
app.UseForwardedHeaders();
app.UseSecurityHeaders();
// The front end's own errors (a missing asset, a POST to a page, the API unreachable: 502) as JSON
// problem details, like the API's, which pass through the proxy as they are.
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseFrontEnd();

app.MapDefaultEndpoints();
app.MapApiProxy();
app.MapFrontEndFallback();

app.Run();
