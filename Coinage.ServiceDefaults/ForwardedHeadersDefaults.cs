using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Which callers may tell a service the client's address and scheme (<c>X-Forwarded-For</c>/<c>-Proto</c>):
/// only the proxies named in <c>Coinage:ForwardedHeaders</c> (the web front end, the ingress). Rate limits and the
/// audit log key on that address, so a header believed from anyone else would let a caller pick it.
/// </summary>
public static class ForwardedHeadersDefaults
{
    public const string Section = "Coinage:ForwardedHeaders";

    /// <summary>
    /// Reads <c>KnownProxies</c> (addresses), <c>KnownNetworks</c> (CIDR) and <c>ForwardLimit</c> (proxies in a row
    /// to unwrap, default 1). With neither list set nobody is trusted: the connection's own address is the client's.
    /// </summary>
    public static TBuilder ConfigureForwardedHeaders<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        var section = builder.Configuration.GetSection(Section);
        var proxies = Parse(section, "KnownProxies", IPAddress.Parse);
        var networks = Parse(section, "KnownNetworks", value => System.Net.IPNetwork.Parse(value));
        var limit = section.GetValue<int?>("ForwardLimit") ?? 1;
        // Configure, not the defaults: ASP.NET Core's own setup (and ASPNETCORE_FORWARDEDHEADERS_ENABLED, which
        // trusts everyone) runs first, and this decides last.
        builder.Services.Configure<ForwardedHeadersOptions>(options =>
        {
            options.KnownProxies.Clear();
            options.KnownIPNetworks.Clear();
            // Empty lists would make the middleware believe every caller: with nothing configured it reads nothing.
            options.ForwardedHeaders = proxies.Count + networks.Count == 0
                ? ForwardedHeaders.None
                : ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            proxies.ForEach(options.KnownProxies.Add);
            networks.ForEach(options.KnownIPNetworks.Add);
            options.ForwardLimit = limit;
        });
        return builder;
    }

    private static List<T> Parse<T>(IConfigurationSection section, string key, Func<string, T> parse)
    {
        // A list (KnownProxies:0, :1, …) or one comma-separated value (handy in an environment variable).
        var entry = section.GetSection(key);
        var values = (entry.Get<string[]>() ?? []).Append(entry.Value ?? "");
        var parsed = new List<T>();
        foreach (var value in values.SelectMany(v => v.Split([',', ';', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            try
            {
                parsed.Add(parse(value));
            }
            catch (FormatException exception)
            {
                // A typo must stop the service, not silently trust nobody (or, worse, somebody else).
                throw new InvalidOperationException($"{Section}:{key} holds '{value}', which is not an IP {(key == "KnownProxies" ? "address" : "network in CIDR notation")}.", exception);
            }
        }
        return parsed;
    }
}
