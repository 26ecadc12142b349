using Coinage.Hosting.ApplicationModel;

namespace Coinage.Hosting.Tests;

public class ResourceNameTests
{
    [Theory]
    [InlineData("apiservice")]
    [InlineData("coinage-db2")]
    public void Accepts_dns_label_names(string name) => Assert.Equal(name, ResourceNames.Validate(name));

    [Theory]
    [InlineData("ApiService")]
    [InlineData("2db")]
    [InlineData("db-")]
    [InlineData("api_service")]
    [InlineData("")]
    public void Rejects_names_that_cannot_be_env_segments_and_dns_labels(string name) =>
        Assert.ThrowsAny<ArgumentException>(() => ResourceNames.Validate(name));
}
