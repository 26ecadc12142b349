using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Coinage.Hosting.Run;

namespace Coinage.Hosting.Tests;

/// <summary>
/// Free ports (tests, <c>--Coinage:FreePorts=true</c>) are bound by their resource seconds after they are chosen. A port
/// from the kernel's ephemeral range can be taken meanwhile as the local port of any outgoing connection: CI met Redis
/// failing with "Address already in use" while several AppHosts started side by side. Below that range the only
/// competitors are other AppHosts choosing the same way in other processes, kept apart by a machine-wide claim.
/// </summary>
public sealed class FreePortTests
{
    [Fact]
    public void Free_ports_lie_below_the_ephemeral_ranges_are_bindable_claimed_and_never_handed_out_twice()
    {
        var ports = Enumerable.Range(0, 100).Select(_ => FreePorts.Next()).ToList();

        Assert.Equal(ports.Count, ports.Distinct().Count());
        Assert.All(ports, port => Assert.InRange(port, FreePorts.Low, FreePorts.High));
        Assert.True(FreePorts.High < EphemeralLow(), $"The free-port range must end below the ephemeral range, which starts at {EphemeralLow()} here.");
        Assert.All(ports, port => Assert.True(File.Exists(Path.Combine(FreePorts.ClaimDirectory, port.ToString(CultureInfo.InvariantCulture))), $"Port {port} has no claim other processes can see."));
        foreach (var port in ports.Take(10))
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
        }
    }

    [Fact]
    public void A_port_claimed_by_another_process_is_not_claimed_again_until_the_claim_is_stale()
    {
        var directory = Directory.CreateTempSubdirectory("coinage-ports-").FullName;
        try
        {
            Assert.True(FreePorts.TryClaim(25000, directory));
            Assert.False(FreePorts.TryClaim(25000, directory)); // what a second AppHost process meets while the first starts
            Assert.True(FreePorts.TryClaim(25001, directory));

            File.SetLastWriteTimeUtc(Path.Combine(directory, "25000"), DateTime.UtcNow - FreePorts.ClaimLifetime - TimeSpan.FromMinutes(1));
            Assert.True(FreePorts.TryClaim(25000, directory));
            Assert.False(FreePorts.TryClaim(25000, directory));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>Linux says where its ephemeral range starts; Windows and macOS start theirs at 49152.</summary>
    private static int EphemeralLow() =>
        File.Exists("/proc/sys/net/ipv4/ip_local_port_range")
            ? int.Parse(File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries)[0], System.Globalization.CultureInfo.InvariantCulture)
            : 49152;
}
