using System.Net;
using System.Net.Sockets;

namespace Coinage.Hosting.Tests;

/// <summary>
/// Free ports (tests, <c>--Coinage:FreePorts=true</c>) are bound by their resource seconds after they are chosen. A port
/// from the kernel's ephemeral range can be taken meanwhile as the local port of any outgoing connection: CI met Redis
/// failing with "Address already in use" while several AppHosts started side by side.
/// </summary>
public sealed class FreePortTests
{
    [Fact]
    public void Free_ports_lie_below_the_ephemeral_ranges_are_bindable_and_never_handed_out_twice()
    {
        var ports = Enumerable.Range(0, 100).Select(_ => CoinageHosting.FreePort()).ToList();

        Assert.Equal(ports.Count, ports.Distinct().Count());
        Assert.All(ports, port => Assert.InRange(port, CoinageHosting.FreePortLow, CoinageHosting.FreePortHigh));
        Assert.True(CoinageHosting.FreePortHigh < EphemeralLow(), $"The free-port range must end below the ephemeral range, which starts at {EphemeralLow()} here.");
        foreach (var port in ports.Take(10))
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
        }
    }

    /// <summary>Linux says where its ephemeral range starts; Windows and macOS start theirs at 49152.</summary>
    private static int EphemeralLow() =>
        File.Exists("/proc/sys/net/ipv4/ip_local_port_range")
            ? int.Parse(File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries)[0], System.Globalization.CultureInfo.InvariantCulture)
            : 49152;
}
