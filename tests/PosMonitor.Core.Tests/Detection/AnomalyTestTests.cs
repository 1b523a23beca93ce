using PosMonitor.Core.Detection;

namespace PosMonitor.Core.Tests.Detection;

public class AnomalyTestTests
{
    private readonly AnomalyTest _test = new(new DetectionSettings());

    [Fact]
    public void One_timeout_in_two_sales_is_not_anomalous() =>
        Assert.False(_test.Decide(1, 2, 0.005, Strictness.Open, shortWindow: true).Anomalous);

    [Fact]
    public void A_high_rate_far_above_normal_is_anomalous() =>
        Assert.True(_test.Decide(40, 100, 0.004, Strictness.Open, shortWindow: true).Anomalous);

    [Fact]
    public void A_rate_close_to_a_hot_normal_is_not() =>
        Assert.False(_test.Decide(4, 30, 0.1, Strictness.Open, shortWindow: true).Anomalous);

    [Fact]
    public void Surprise_grows_with_evidence() =>
        Assert.True(AnomalyTest.PoissonSurprise(10, 1) > AnomalyTest.PoissonSurprise(5, 1));
}
