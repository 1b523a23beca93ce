using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using PosMonitor.Web.Tests.Infrastructure;

namespace PosMonitor.Web.Tests.Identity;

/// <summary><c>Authorization: Bearer &lt;key&gt;</c> is accepted wherever a key is (src/PosMonitor.Web/Features/Telemetry/telemetry-api.md).</summary>
public class BearerKeyTests(PosMonitorFactory factory) : IClassFixture<PosMonitorFactory>
{
    private HttpClient Bearer(string key)
    {
        var client = factory.CreateClient(apiKey: null);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    /// <summary>A stock client: the key given to accessTokenFactory, which sends it as a Bearer token, negotiate included.</summary>
    private HubConnection StockClient(string key, HttpTransportType transport) =>
        new HubConnectionBuilder()
            .WithUrl(new Uri(factory.Server.BaseAddress, "/hubs/live"), o =>
            {
                o.HttpMessageHandlerFactory = _ => factory.Server.CreateHandler();
                o.Transports = transport;
                o.AccessTokenProvider = () => Task.FromResult<string?>(key);
            })
            .Build();

    [Fact]
    public async Task A_stock_signalr_client_connects_with_a_key_given_to_its_access_token_factory()
    {
        await using var connection = StockClient(await factory.CreateKeyAsync("read:platform"), HttpTransportType.LongPolling);

        await connection.StartAsync();
        await connection.InvokeAsync("SubscribeHeatmap", "gateway");

        Assert.Equal(HubConnectionState.Connected, connection.State);
    }

    [Fact]
    public async Task A_stock_signalr_client_with_an_unknown_or_ingest_key_is_refused()
    {
        await using var unknown = StockClient("pmk_not-a-real-key", HttpTransportType.LongPolling);
        await using var ingest = StockClient(await factory.CreateKeyAsync("ingest:platform"), HttpTransportType.LongPolling);

        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => unknown.StartAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        var forbidden = await Assert.ThrowsAsync<HttpRequestException>(() => ingest.StartAsync());
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
    }

    [Fact]
    public async Task The_api_takes_a_bearer_key_for_reading_admin_and_ingest_and_refuses_an_unknown_one_as_problem_json()
    {
        await factory.PutFleetAsync(TestFleet.Small());

        var read = await Bearer(await factory.CreateKeyAsync("read:merchant", "m-0001")).GetAsync("/api/v1/incidents");
        var admin = await Bearer(PosMonitorFactory.AdminKey).PutAsJsonAsync("/api/v1/fleet", TestFleet.Small());
        var ingest = await Bearer(await factory.CreateKeyAsync("ingest:platform")).PostAsync("/api/v1/telemetry",
            new StringContent("""{"heartbeats":[]}""", System.Text.Encoding.UTF8, "application/json"));
        var unknown = await Bearer("pmk_not-a-real-key").GetAsync("/api/v1/incidents");
        var lowerCase = factory.CreateClient(apiKey: null);
        lowerCase.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", "bearer " + PosMonitorFactory.AdminKey);

        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal(HttpStatusCode.OK, admin.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, ingest.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
        Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.OK, (await lowerCase.GetAsync("/api/v1/incidents")).StatusCode);
    }
}
