using Microsoft.Extensions.Primitives;
using Microsoft.Extensions.ServiceDiscovery;
using System.Net;
using System.Net.Sockets;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.ServiceDiscovery;

namespace Coinage.Web.Proxy;

/// <summary>
/// Expands a logical destination such as <c>http://apiservice</c> into one destination per endpoint that
/// <see cref="ServiceEndpointResolver"/> knows (configuration keys <c>services:apiservice:http:0..n</c>
/// locally, DNS pass-through in Kubernetes). YARP asks again whenever the returned change token fires, so
/// replicas that come and go are picked up without a restart.
/// </summary>
/// <remarks>
/// Stands in for <c>Microsoft.Extensions.ServiceDiscovery.Yarp</c>, which cannot be restored here; swap the
/// registration for <c>AddServiceDiscoveryDestinationResolver()</c> once it can.
/// </remarks>
internal sealed class ServiceDiscoveryDestinationResolver(ServiceEndpointResolver resolver) : IDestinationResolver
{
    public async ValueTask<ResolvedDestinationCollection> ResolveDestinationsAsync(
        IReadOnlyDictionary<string, DestinationConfig> destinations, CancellationToken cancellationToken)
    {
        var resolved = new Dictionary<string, DestinationConfig>(StringComparer.OrdinalIgnoreCase);
        var changeTokens = new List<IChangeToken>();
        foreach (var (name, destination) in destinations)
        {
            var address = new Uri(destination.Address, UriKind.Absolute);
            var source = await resolver.GetEndpointsAsync(address.GetLeftPart(UriPartial.Authority), cancellationToken).ConfigureAwait(false);
            changeTokens.Add(source.ChangeToken);
            foreach (var endpoint in source.Endpoints)
            {
                var resolvedAddress = Rebase(address, endpoint.EndPoint);
                resolved[$"{name}[{resolvedAddress.Authority}]"] = destination with
                {
                    Address = resolvedAddress.ToString(),
                    Health = destination.Health is { Length: > 0 } health ? Rebase(new Uri(health, UriKind.Absolute), endpoint.EndPoint).ToString() : null,
                };
            }
        }
        return new ResolvedDestinationCollection(resolved, new CompositeChangeToken(changeTokens));
    }

    /// <summary>Keeps the configured path (and, for scheme-less endpoints, the scheme) and swaps in the resolved host and port.</summary>
    internal static Uri Rebase(Uri address, EndPoint endPoint)
    {
        var builder = new UriBuilder(address);
        switch (endPoint)
        {
            case UriEndPoint { Uri: var uri }:
                builder.Scheme = uri.Scheme;
                builder.Host = uri.Host;
                builder.Port = uri.Port;
                break;
            case IPEndPoint ip:
                builder.Host = ip.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{ip.Address}]" : ip.Address.ToString();
                builder.Port = ip.Port == 0 ? -1 : ip.Port;
                break;
            case DnsEndPoint dns:
                builder.Host = dns.Host;
                builder.Port = dns.Port == 0 ? -1 : dns.Port;
                break;
            default:
                throw new NotSupportedException($"Service discovery returned an endpoint of type {endPoint.GetType().Name} for {address}, which cannot be proxied to.");
        }
        return builder.Uri;
    }
}
