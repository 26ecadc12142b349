using Coinage.Web.FrontEnd;
using Coinage.Web.Proxy;
using Coinage.Web.Security;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddSecurityHeaders();
builder.AddFrontEnd();
builder.AddApiProxy();

var app = builder.Build();

// The client's address and scheme, from the ingress in Coinage:ForwardedHeaders only (ServiceDefaults); the proxy passes them on.
app.UseForwardedHeaders();
app.UseSecurityHeaders();
app.UseFrontEnd();

app.MapDefaultEndpoints();
app.MapApiProxy();
app.MapFrontEndFallback();

app.Run();
