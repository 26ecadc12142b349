namespace Coinage.Web.FrontEnd;

/// <summary>Matches a catch-all value unless it falls under one of <see cref="FrontEndHosting.ReservedPathPrefixes"/>.</summary>
internal sealed class SpaRouteConstraint : IRouteConstraint
{
    public const string Name = "sparoute";

    public bool Match(HttpContext? httpContext, IRouter? route, string routeKey, RouteValueDictionary values, RouteDirection routeDirection)
    {
        var path = new PathString("/" + Convert.ToString(values[routeKey], System.Globalization.CultureInfo.InvariantCulture)?.TrimStart('/'));
        return !FrontEndHosting.ReservedPathPrefixes.Any(prefix => path.StartsWithSegments(prefix, StringComparison.OrdinalIgnoreCase));
    }
}
