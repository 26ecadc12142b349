using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Coinage.Hosting.Dashboard;

/// <summary>
/// The UI: plain HTML, CSS and ES modules embedded in this assembly (no npm build, nothing on
/// disk to lose). The shell page needs a session; scripts and styles hold no data and are
/// served to anyone so that the sign-in page can be styled.
/// </summary>
internal static class DashboardAssets
{
    private const string Prefix = "Coinage.Dashboard.";

    private static readonly ConcurrentDictionary<string, byte[]?> Cache = new(StringComparer.Ordinal);

    public static void MapDashboardAssets(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/", () => Asset("index.html") is { } html
            ? Results.Bytes(html, "text/html; charset=utf-8")
            : Results.NotFound());
        endpoints.MapGet("/assets/{file}", (string file) =>
            Asset(file) is { } bytes && ContentType(file) is { } type
                ? Results.Bytes(bytes, type)
                : Results.NotFound()).AllowAnonymous();
    }

    public static string LoginPage(string? error) => $"""
        <!doctype html>
        <html lang="en">
        <head>
          <meta charset="utf-8">
          <meta name="viewport" content="width=device-width, initial-scale=1">
          <title>Sign in · Coinage ops</title>
          <link rel="stylesheet" href="/assets/styles.css">
        </head>
        <body class="login">
          <main class="login-card">
            <h1>Coinage ops dashboard</h1>
            <p>Open the link the AppHost printed at start-up
              (<code>Dashboard: http://127.0.0.1:18888/login?t=…</code>), or paste its token here.</p>
            {(error is null ? "" : $"<p class=\"error\" role=\"alert\">{WebUtility.HtmlEncode(error)}</p>")}
            <form method="get" action="/login">
              <label for="t">Browser token</label>
              <input id="t" name="t" type="password" autocomplete="off" required autofocus>
              <button type="submit">Sign in</button>
            </form>
          </main>
        </body>
        </html>
        """;

    internal static byte[]? Asset(string file) => Cache.GetOrAdd(file, static name =>
    {
        using var stream = typeof(DashboardAssets).Assembly.GetManifestResourceStream(Prefix + name);
        if (stream is null)
        {
            return null;
        }
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return buffer.ToArray();
    });

    internal static IEnumerable<string> Names() =>
        typeof(DashboardAssets).Assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)).Select(n => n[Prefix.Length..]);

    private static string? ContentType(string file) => Path.GetExtension(file) switch
    {
        ".js" => "text/javascript; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".svg" => "image/svg+xml",
        ".html" => "text/html; charset=utf-8",
        _ => null,
    };
}
