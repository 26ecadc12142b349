namespace Coinage.ApiService.Identity;

/// <summary>
/// Where a cookie-bearing call comes from, in the browser's own words (it sets <c>Sec-Fetch-Site</c>
/// and <c>Origin</c>; a page's script cannot). The web front end proxies the API under its own origin,
/// so its calls are <c>same-origin</c>; another site's are refused unless it is one of
/// <c>Coinage:Cors:AllowedOrigins</c>. A client that sends neither header is not a browser, and a
/// cross-site request forgery needs a browser.
/// </summary>
public sealed class CookieOriginPolicy(IReadOnlyCollection<string> allowedOrigins)
{
    private readonly HashSet<string> _allowed = allowedOrigins.Select(o => o.TrimEnd('/')).ToHashSet(StringComparer.OrdinalIgnoreCase);

    public bool Allows(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var site = request.Headers["Sec-Fetch-Site"].ToString();
        var origin = request.Headers.Origin.ToString();
        if (site == "same-origin")
        {
            return true; // Origin is then the front end's, which the proxy does not rewrite: nothing more to learn from it.
        }
        if (origin.Length > 0)
        {
            return _allowed.Contains(origin);
        }
        return site.Length == 0;
    }
}
