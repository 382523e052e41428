// Simulated time (tests only): a daemon started with --simulated-time runs
// on a FakeClock, and an administrator moves it here. The call returns once
// everything the new time set in motion is done (timers fired, escalations
// sent, deliveries retried; FakeClock::AwaitIdle), so a test of the real
// daemon checks deadlines of days without waiting. Without that flag the
// route does not exist.
#include "api/api_service.h"
#include "api/errors.h"
#include "api/request_helpers.h"

namespace shouhu::api {

void ApiService::AddClockRoutes() {
  AddAuthed("POST", "/api/v1/clock", "clock.move",
            [this](const HttpRequest& req, const RouteMatch&, const Principal& who) {
              if (!PolicyOf(deps_, who).Can(Capability::kUsersAdmin)) {
                return ErrorResponse(403, kForbidden, "only users.admin moves the clock");
              }
              HttpResponse error;
              auto body = ObjectBody(req, &error);
              if (!body) return error;
              FakeClock& clock = *deps_.simulated_clock;
              if (body->contains("advance")) {
                auto text = StringMember(*body, "advance", &error);
                if (!text) return error;
                auto d = ParseDuration(*text);
                if (!d.ok() || d->years || d->months) {
                  return ErrorResponse(422, kInvalidData,
                                       "advance: an ISO 8601 duration in days, hours, minutes "
                                       "and seconds (P1DT2H), not \"" + *text + "\"");
                }
                clock.Advance(std::chrono::seconds(d->seconds) +
                              std::chrono::hours(24) * d->days);
              } else if (body->contains("to")) {
                auto text = StringMember(*body, "to", &error);
                if (!text) return error;
                auto at = ParseInstant(*text);
                if (!at.ok()) return ErrorResponse(422, kInvalidData, "to: " + at.status().message());
                if (*at < clock.Now()) {
                  // Records already carry later times; going back would disorder them.
                  return ErrorResponse(422, kInvalidData, "simulated time moves only forward");
                }
                clock.Set(*at);
              } else if (!body->empty()) {
                return ErrorResponse(400, kMalformed, "give \"advance\" or \"to\", or nothing");
              }
              if (!clock.AwaitIdle()) {
                return ErrorResponse(503, kUnavailable,
                                     "the daemon's threads were still busy after 60 s");
              }
              return JsonResponse(200, {{"now", FormatInstant(clock.Now())}});
            });
}

}  // namespace shouhu::api
