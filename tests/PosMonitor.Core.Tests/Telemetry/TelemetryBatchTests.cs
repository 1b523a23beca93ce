using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using PosMonitor.Core.Telemetry;

namespace PosMonitor.Core.Tests.Telemetry;

/// <summary>
/// The forward reader must answer exactly as the reference reading (JsonDocument + ParseEvent per
/// event): same events, same rejections with the same code, message, index and eventId, same problems.
/// </summary>
public class TelemetryBatchTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 8, 0, 0, TimeSpan.Zero);

    private const string Heartbeat = """
        {"eventId":"h-1","terminalId":"T-000001","timestamp":"2026-11-25T07:59:30.000Z","network":{"type":"cellular","signalDbm":-95,"latencyMs":180,"packetLossPct":2.5},"firmware":"3.2.1","uptimeSec":3600,"batteryPct":80,"cpuPct":20,"memoryPct":40,"printer":"paper_out","scanner":"ok","pendingOffline":3}
        """;

    private const string Transaction = """
        {"eventId":"t-1","terminalId":"T-000001","timestamp":"2026-11-25T07:59:59.500Z","gateway":"gw-unionpay","outcome":"timeout","stage":"gateway","latencyMs":30000,"stageMs":{"host":120,"gateway":29800},"errorCode":"E504","amountMinor":2599,"currency":"CNY"}
        """;

    private static TelemetryBatch Read(string body, int maxEvents = 5000) => TelemetryBatch.Read(Encoding.UTF8.GetBytes(body), Now, maxEvents);

    private static TelemetryBatch Reference(string body, int maxEvents = 5000) => TelemetryBatch.ReadWithDocument(Encoding.UTF8.GetBytes(body), Now, maxEvents);

    /// <summary>Everything a caller can see of a batch, as text (records holding arrays do not compare by value).</summary>
    private static string Describe(TelemetryBatch b) =>
        JsonSerializer.Serialize(new { b.Problem, b.ErrorLine, b.ErrorBytePositionInLine, b.List, b.Total, b.Heartbeats, b.Transactions },
            new JsonSerializerOptions { Converters = { new ObjectAsRuntimeType() } });

    private static void AssertSameAsReference(string body, int maxEvents = 5000) =>
        Assert.Equal(Describe(Reference(body, maxEvents)), Describe(Read(body, maxEvents)));

    private static string Body(IEnumerable<string> heartbeats, IEnumerable<string> transactions) =>
        $$"""{"heartbeats":[{{string.Join(",", heartbeats)}}],"transactions":[{{string.Join(",", transactions)}}]}""";

    [Fact]
    public void Reads_valid_events_with_every_field()
    {
        var batch = Read(Body([Heartbeat], [Transaction]));

        Assert.Equal(TelemetryBodyProblem.None, batch.Problem);
        var hb = Assert.IsType<Heartbeat>(Assert.Single(batch.Heartbeats));
        Assert.Equal(("h-1", "T-000001", NetworkType.Cellular, -95, 180, 2.5), (hb.EventId, hb.TerminalId, hb.NetworkType, hb.SignalDbm, hb.LatencyMs, hb.PacketLossPct));
        Assert.Equal(("3.2.1", 3600L, 80, 20, 40, PrinterStatus.PaperOut, ScannerStatus.Ok, 3),
            (hb.Firmware, hb.UptimeSec, hb.BatteryPct, hb.CpuPct, hb.MemoryPct, hb.Printer, hb.Scanner, hb.PendingOffline));
        var tx = Assert.IsType<Transaction>(Assert.Single(batch.Transactions));
        Assert.Equal(("gw-unionpay", Outcome.Timeout, (Stage?)Stage.Gateway, 30000, "E504", (long?)2599, "CNY"),
            (tx.Gateway, tx.Outcome, tx.Stage, tx.LatencyMs, tx.ErrorCode, tx.AmountMinor, tx.Currency));
        Assert.Equal([0, 0, 0, 120, 29800, 0, 0, 0], tx.StageMs!);
        Assert.Equal(new DateTimeOffset(2026, 11, 25, 7, 59, 59, 500, TimeSpan.Zero), tx.Timestamp);
        AssertSameAsReference(Body([Heartbeat], [Transaction]));
    }

    [Theory]
    [InlineData("errorCode", "\"4111111111111111\"")]
    [InlineData("errorCode", "\"\\u0034111111111111111\"")] // an escaped digit still spells a PAN
    [InlineData("note", "{\"deep\":[{\"memo\":\"paid 4111 1111 1111 1111\"}]}")] // nested in an unknown field
    [InlineData("note", "\";4111111111111112=2512\"")] // track data needs no Luhn
    [InlineData("eventId", "\"4111111111111111\"")]
    [InlineData("uptimeSec", "4111111111111111")] // a PAN sent as a number
    public void Card_data_anywhere_rejects_the_event_without_echoing_it(string field, string value)
    {
        var tx = Transaction.Replace("\"currency\":\"CNY\"", $"\"currency\":\"CNY\",\"{field}\":{value}");
        var body = Body([], [Transaction, tx]);

        var rejection = Assert.IsType<Rejection>(Read(body).Transactions[1]);

        Assert.Equal((RejectionCodes.CardData, 1), (rejection.Code, rejection.Index));
        Assert.DoesNotContain("4111", rejection.Message);
        Assert.NotEqual("4111111111111111", rejection.EventId);
        Assert.IsType<Transaction>(Read(body).Transactions[0]);
        AssertSameAsReference(body);
    }

    [Theory]
    [InlineData("\"E504\"", "\"order 1234567890123456\"")] // Luhn-invalid
    // UUID event ids whose digits between dashes pass Luhn: an id is checked for unbroken runs only.
    [InlineData("\"t-1\"", "\"8a1f00e2-9b4c-1234-5678-90123456736a\"")]
    [InlineData("\"t-1\"", "\"8a1f1234-5678-9012-3452-ab12cd34ef56\"")] // 4-4-4-4, as a card is printed
    [InlineData("\"currency\":\"CNY\"", "\"currency\":\"CNY\",\"note\":\"8a1f00e2-9b4c-1234-5678-90123456736a\"")] // nor, in free text, 4-4-11
    public void A_digit_run_that_is_no_pan_is_not_card_data(string from, string to)
    {
        var tx = Transaction.Replace(from, to);
        Assert.Contains(to, tx);
        Assert.IsType<Transaction>(Assert.Single(Read(Body([], [tx])).Transactions));
        AssertSameAsReference(Body([], [tx]));
    }

    [Theory]
    [InlineData("{\"transactions\": [")]
    [InlineData("")]
    [InlineData("  ")]
    [InlineData("{\"heartbeats\": []} x")]
    [InlineData("{\"heartbeats\": [], }")]
    [InlineData("{\"heartbeats\": [{\"eventId\": \"a\",}]}")]
    [InlineData("{\"heartbeats\": [{\"eventId\": \"a\"]}")]
    [InlineData("{\"heartbeats\": [{\"eventId\": \"a\"}]}\n\n  {")]
    [InlineData("[1, 2")]
    [InlineData("{\"x\": 01}")]
    public void Bodies_that_are_not_json_report_where_the_reader_stopped(string body)
    {
        Assert.Equal(TelemetryBodyProblem.NotJson, Read(body).Problem);
        AssertSameAsReference(body);
    }

    [Fact]
    public void Invalid_json_anywhere_wins_over_every_other_problem_at_the_same_position()
    {
        var full = Body([Heartbeat, Heartbeat.Replace("h-1", "h-2")], [Transaction]);
        // Every prefix of a valid body: the position reported must be the reference's.
        for (var cut = 0; cut < full.Length; cut += 7)
            AssertSameAsReference(full[..cut]);
    }

    [Theory]
    [InlineData("[]", TelemetryBodyProblem.NotAnObject)]
    [InlineData("42", TelemetryBodyProblem.NotAnObject)]
    [InlineData("{\"heartbeats\": 5}", TelemetryBodyProblem.NotAnArray)]
    [InlineData("{\"transactions\": {}, \"heartbeats\": \"x\"}", TelemetryBodyProblem.NotAnArray)]
    [InlineData("{}", TelemetryBodyProblem.NoLists)]
    [InlineData("{\"heartbeats\": null, \"transactions\": null, \"other\": [1]}", TelemetryBodyProblem.NoLists)]
    [InlineData("{\"heartbeats\": [1, 2], \"transactions\": [3, 4]}", TelemetryBodyProblem.TooManyEvents)]
    [InlineData("{\"heartbeats\": [1, 2], \"heartbeats\": [3, 4]}", TelemetryBodyProblem.None)]
    [InlineData("{\"heartbeats\": [1, 2, 3, 4], \"heartbeats\": [3]}", TelemetryBodyProblem.None)]
    [InlineData("{\"heart\\u0062eats\": [1, 2, 3, 4]}", TelemetryBodyProblem.TooManyEvents)]
    [InlineData("{\"heartbeats\": [[1], {\"a\": [true]}, null]}", TelemetryBodyProblem.None)]
    public void Whole_body_problems_are_the_references(string body, TelemetryBodyProblem problem)
    {
        Assert.Equal(problem, Read(body, maxEvents: 3).Problem);
        AssertSameAsReference(body, maxEvents: 3);
    }

    [Fact]
    public void Over_the_limit_counts_every_event_of_both_lists()
    {
        var body = Body(Enumerable.Repeat(Heartbeat, 4), Enumerable.Repeat(Transaction, 3));
        Assert.Equal((TelemetryBodyProblem.TooManyEvents, 7), (Read(body, maxEvents: 5).Problem, Read(body, maxEvents: 5).Total));
    }

    [Fact]
    public void Items_that_are_not_objects_are_rejected_at_their_index()
    {
        var batch = Read("""{"transactions": [1, "x", [2], null, {}]}""");
        Assert.All(batch.Transactions.Take(4), r => Assert.Contains("must be a JSON object", Assert.IsType<Rejection>(r).Message));
        Assert.Equal([0, 1, 2, 3, 4], batch.Transactions.Select(r => ((Rejection)r).Index));
        AssertSameAsReference("""{"transactions": [1, "x", [2], null, {}]}""");
    }

    [Fact]
    public void Very_long_strings_are_read_and_refused_like_the_reference()
    {
        var longText = new string('7', 100_000);
        var body = Body(
            [Heartbeat.Replace("\"3.2.1\"", $"\"{longText}\""), Heartbeat.Replace("\"ok\"", $"\"{new string('o', 70_000)}\"")],
            [Transaction.Replace("\"E504\"", $"\"{new string('e', 50_000)}\""), Transaction.Replace("\"t-1\"", $"\"{new string('t', 65)}\""),
             Transaction.Replace("\"currency\"", $"\"memo\":\"{new string('x', 200_000)}\",\"currency\"")]);

        var batch = Read(body);

        Assert.Equal(RejectionCodes.InvalidField, Assert.IsType<Rejection>(batch.Heartbeats[0]).Code);
        Assert.IsType<Transaction>(batch.Transactions[2]);
        AssertSameAsReference(body);
    }

    [Fact]
    public void Escaped_and_non_ascii_strings_are_read_like_the_reference()
    {
        string[] heartbeats =
        [
            Heartbeat.Replace("\"3.2.1\"", "\"3.2.\\u0031\""),
            Heartbeat.Replace("\"3.2.1\"", "\"固件-3.2\""),
            Heartbeat.Replace("\"3.2.1\"", "\"a\\\"b\\\\c\\/d\""),
            Heartbeat.Replace("\"h-1\"", "\"h\\n1\""),
            Heartbeat.Replace("\"h-1\"", "\"h-1\\n\""),
            Heartbeat.Replace("\"h-1\"", "\"h-\\u0031\""),
            Heartbeat.Replace("\"printer\"", "\"print\\u0065r\""),
            Heartbeat.Replace("\"cellular\"", "\"cellula\\u0072\""),
            Heartbeat.Replace("\"firmware\"", "\"firm\\/ware\""),
            Heartbeat.Replace("Z\"", "\\u005A\""),
            Heartbeat.Replace("\"3.2.1\"", "\"固件固件固件固件固件固件固件固件固件固件固件固件固件固件固件固件固件\""),
        ];
        AssertSameAsReference(Body(heartbeats, [Transaction.Replace("\"CNY\"", "\"C\\u004EY\""), Transaction.Replace("\"E504\"", "\"错误\"")]));
    }

    [Theory]
    [InlineData("\"3.2.1\"")]
    [InlineData("\"E504\"")]
    [InlineData("\"T-000001\"")]
    [InlineData("\"note\":1")]
    public void Invalid_utf8_in_a_string_is_answered_as_the_reference_answers_it(string where)
    {
        var json = Body([Heartbeat], [Transaction]);
        var at = json.IndexOf(where, StringComparison.Ordinal) + 2;
        var bytes = Encoding.UTF8.GetBytes(json);
        var broken = bytes[..at].Concat(new byte[] { 0xFF, 0xC3 }).Concat(bytes[at..]).ToArray();

        static string Outcome(Func<TelemetryBatch> read)
        {
            try { return Describe(read()); }
            catch (Exception e) { return e.GetType().Name; }
        }

        var expected = Outcome(() => TelemetryBatch.ReadWithDocument(broken, Now, 5000));
        Assert.Equal(expected, Outcome(() => TelemetryBatch.Read(broken, Now, 5000)));
        // Refused whole, naming the first bad byte (it was an exception, a server error, when inside a string).
        var read = TelemetryBatch.Read(broken, Now, 5000);
        Assert.Equal((TelemetryBodyProblem.NotUtf8, at), (read.Problem, read.InvalidByteOffset));
    }

    [Fact]
    public void First_invalid_utf8_byte_is_found_after_valid_multibyte_characters()
    {
        var bytes = Encoding.UTF8.GetBytes("终端-1 ok").Concat(new byte[] { 0xE7, 0x41 }).ToArray();
        Assert.Equal(Encoding.UTF8.GetByteCount("终端-1 ok"), TelemetryBatch.FirstInvalidUtf8(bytes));
        Assert.Equal(-1, TelemetryBatch.FirstInvalidUtf8(Encoding.UTF8.GetBytes("终端-1 ok")));
    }

    [Theory]
    [InlineData("eventId")]
    [InlineData("timestamp")]
    [InlineData("network")]
    [InlineData("firmware")]
    [InlineData("printer")]
    [InlineData("unknown")]
    public void A_repeated_field_is_read_as_the_reference_reads_it(string field)
    {
        var hb = Heartbeat.Replace("{\"eventId\"", $"{{\"{field}\":\"first\",\"eventId\"");
        var hb2 = Heartbeat.Replace("\"pendingOffline\":3}", $"\"pendingOffline\":3,\"{field}\":\"last\"}}");
        AssertSameAsReference(Body([hb, hb2], []));
    }

    [Fact]
    public void Every_rejection_path_matches_the_reference_on_mutated_events()
    {
        var random = new Random(7);
        var heartbeats = new List<string>();
        var transactions = new List<string>();
        for (var i = 0; i < 3000; i++)
        {
            heartbeats.Add(Mutate(Heartbeat, HeartbeatFields, random));
            transactions.Add(Mutate(Transaction, TransactionFields, random));
        }
        for (var from = 0; from < 3000; from += 500)
        {
            var body = Body(heartbeats.Skip(from).Take(500), transactions.Skip(from).Take(500));
            var reference = Reference(body);
            Assert.Equal(Describe(reference), Describe(Read(body)));
            // The mutations reach every code the parser gives.
            if (from == 0)
                Assert.Equal(
                    [RejectionCodes.CardData, RejectionCodes.InvalidField, RejectionCodes.MissingField, RejectionCodes.TimestampOutOfRange],
                    reference.Heartbeats.Concat(reference.Transactions).OfType<Rejection>().Select(r => r.Code).Distinct().Order());
        }
    }

    private static readonly string[] HeartbeatFields =
        ["eventId", "terminalId", "timestamp", "network", "network.type", "network.signalDbm", "network.latencyMs", "network.packetLossPct",
         "firmware", "uptimeSec", "batteryPct", "cpuPct", "memoryPct", "printer", "scanner", "pendingOffline", "gateway", "outcome"];

    private static readonly string[] TransactionFields =
        ["eventId", "terminalId", "timestamp", "gateway", "outcome", "stage", "latencyMs", "stageMs", "stageMs.host", "stageMs.bogus",
         "errorCode", "amountMinor", "currency", "network", "firmware"];

    private static readonly string?[] Values =
    [
        null, "null", "\"\"", "\"x\"", "\"has space\"", "0", "-1", "1", "3.5", "1e3", "100", "101", "-140", "-141", "2147483648",
        "9223372036854775808", "true", "{}", "[]", "[1,{\"a\":2}]", "{\"a\":{\"b\":[3]}}", "\"ok\"", "\"error\"", "\"timeout\"",
        "\"approved\"", "\"gateway\"", "\"wifi\"", "\"CNY\"", "\"cny\"", "\"CNYX\"", "\"T-000002\"", "\"gw-other\"", "\"3.3.0\"",
        "\"2026-11-25T07:00:00Z\"", "\"2026-11-25T07:00:00+00:00\"", "\"2026-11-25T08:06:00Z\"", "\"2026-11-17T08:00:00Z\"",
        "\"2026-11-25 07:00:00Z\"", "\"2026-11-25T07:00:00.1234567Z\"", "\"2026-02-30T07:00:00Z\"", "\"4111111111111111\"",
        "\"5500 0000 0000 0004\"", "4111111111111111", "\"1234567890123456\"", "\"\\u0041\"", "\"a\\tb\"", $"\"{new string('9', 40)}\"",
        $"\"{new string('a', 33)}\"", $"\"{new string('a', 64)}\"", $"\"{new string('a', 65)}\"", "\"3.2.1\"", "\"paper_out\"",
        "{\"type\":\"wifi\",\"latencyMs\":5,\"packetLossPct\":0}", "{\"host\":5,\"app\":0}", "{\"host\":-5}", "{\"host\":1.5}",
    ];

    /// <summary>One to three changes: a field set to an odd value or removed, repeated, renamed with an escape, or an extra field.</summary>
    private static string Mutate(string json, string[] fields, Random random)
    {
        var node = JsonNode.Parse(json)!.AsObject();
        var changes = random.Next(4);
        var text = (string?)null;
        for (var c = 0; c < changes; c++)
        {
            var field = fields[random.Next(fields.Length)];
            var value = Values[random.Next(Values.Length)];
            var (target, name) = field.Contains('.') ? (node[field.Split('.')[0]] as JsonObject, field.Split('.')[1]) : (node, field);
            if (target is null) continue;
            switch (random.Next(10))
            {
                case 0:
                    target.Remove(name);
                    break;
                case 1:
                    target["note" + c] = JsonNode.Parse(value ?? "\"4111 1111 1111 1111\"");
                    break;
                default:
                    if (value is null) target.Remove(name);
                    else target[name] = JsonNode.Parse(value);
                    break;
            }
        }
        var options = new JsonSerializerOptions { Encoder = random.Next(2) == 0 ? JavaScriptEncoder.UnsafeRelaxedJsonEscaping : JavaScriptEncoder.Default };
        text = node.ToJsonString(options);
        return random.Next(12) switch
        {
            // Text-level changes JsonNode cannot make: a repeated property, an escaped name.
            0 => text.Replace("{\"eventId\"", "{\"terminalId\":\"T-000009\",\"eventId\""),
            1 => text.Replace("\"printer\"", "\"print\\u0065r\"").Replace("\"outcome\"", "\"outc\\u006Fme\""),
            2 => text.Replace("\"latencyMs\":", "\"latencyMs\":7,\"latencyMs\":"),
            3 => text.Insert(1, "\"pad\":\"" + new string(' ', 300) + "\","),
            _ => text,
        };
    }

    /// <summary>Serializes object-typed members by their runtime type (Heartbeat, Transaction, Rejection).</summary>
    private sealed class ObjectAsRuntimeType : System.Text.Json.Serialization.JsonConverter<object>
    {
        public override object Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => throw new NotSupportedException();

        public override void Write(Utf8JsonWriter writer, object value, JsonSerializerOptions options)
        {
            writer.WriteStartObject();
            writer.WriteString("$type", value.GetType().Name);
            writer.WritePropertyName("value");
            JsonSerializer.Serialize(writer, value, value.GetType(), options);
            writer.WriteEndObject();
        }
    }
}
