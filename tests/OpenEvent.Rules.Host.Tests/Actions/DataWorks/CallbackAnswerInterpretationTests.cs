using OpenEvent.Rules.Host.Actions;
using OpenEvent.Rules.Host.Actions.DataWorks;

namespace OpenEvent.Rules.Host.Tests.Actions.DataWorks;

/// <summary>
/// What DataWorks's answer to a callback means for the outbox: delivered, retried (a passing fault) or dead-lettered at
/// once (a refusal no retry can change), from its status, Code and Success (reference 4.2).
/// </summary>
public sealed class CallbackAnswerInterpretationTests
{
    [Theory]
    [InlineData(200, """{"RequestId":"r","Success":true}""", "Delivered")]
    [InlineData(200, """{"RequestId":"r","Success":"true"}""", "Delivered")]
    [InlineData(200, """{"RequestId":"r"}""", "Delivered")]
    [InlineData(200, """{"RequestId":"r","Success":false}""", "Retry")]
    [InlineData(200, """{"RequestId":"r","Success":false,"Code":"InternalError.System"}""", "Retry")]
    [InlineData(200, """{"RequestId":"r","Success":false,"Code":"Invalid.Tenant.ExtensionNotBind"}""", "Dead")]
    [InlineData(200, """{"RequestId":"r","Success":"false","Code":"Forbidden.Access"}""", "Dead")]
    [InlineData(400, """{"Code":"InternalError.UserId.Missing","Message":"An internal system error occurred. Try again later."}""", "Retry")]
    [InlineData(429, """{"Code":"Throttling.User"}""", "Retry")]
    [InlineData(400, """{"Code":"Throttling.Api"}""", "Retry")]
    [InlineData(503, "gateway", "Retry")]
    [InlineData(400, """{"Code":"Invalid.MessageId","Message":"The message does not exist."}""", "Dead")]
    [InlineData(403, """{"Code":"Forbidden.Access"}""", "Dead")]
    public void Interpret_StatusCodeAndSuccess_DecideTheStep(int status, string body, string expected)
    {
        var result = DataWorksCallbackSender.Interpret(status, body);

        Assert.Equal(expected, result.Success ? "Delivered" : result.Retryable ? "Retry" : "Dead");
    }
}
