using System.Net;
using Coinage.Web.Proxy;
using Microsoft.Extensions.ServiceDiscovery;

namespace Coinage.Web.Tests;

public sealed class ServiceDiscoveryDestinationResolverTests
{
    private static readonly Uri Logical = new("http://apiservice/prefix/");

    public static TheoryData<EndPoint, string> Endpoints() => new()
    {
        { new UriEndPoint(new Uri("https://10.0.0.5:8443")), "https://10.0.0.5:8443/prefix/" },
        { new IPEndPoint(IPAddress.Loopback, 5080), "http://127.0.0.1:5080/prefix/" },
        { new IPEndPoint(IPAddress.IPv6Loopback, 5080), "http://[::1]:5080/prefix/" },
        { new DnsEndPoint("apiservice.coinage.svc.cluster.local", 8080), "http://apiservice.coinage.svc.cluster.local:8080/prefix/" },
        // Kubernetes DNS pass-through: no port means the scheme's default.
        { new DnsEndPoint("apiservice", 0), "http://apiservice/prefix/" },
    };

    [Theory]
    [MemberData(nameof(Endpoints))]
    public void Rebase_swaps_in_the_resolved_host_and_port_and_keeps_the_path(EndPoint endPoint, string expected) =>
        Assert.Equal(new Uri(expected), ServiceDiscoveryDestinationResolver.Rebase(Logical, endPoint));
}
