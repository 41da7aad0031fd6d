package fr.catie.vaniila.gateway;

import fr.catie.vaniila.platform.Problem;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/** Problems of the agent protocol; an unknown node is {@code 410 Gone}, which makes the agent register again. */
@RestControllerAdvice(assignableTypes = AgentApi.class)
@Order(Ordered.HIGHEST_PRECEDENCE)
public class AgentExceptionHandler {

    @ExceptionHandler(Problem.class)
    ProblemDetail problem(Problem p) {
        HttpStatus status = switch (p.kind()) {
            case NOT_FOUND -> p.getMessage().startsWith("gone:") ? HttpStatus.GONE : HttpStatus.NOT_FOUND;
            case FORBIDDEN -> HttpStatus.FORBIDDEN;
            case UNAUTHENTICATED -> HttpStatus.UNAUTHORIZED;
            case CONFLICT -> HttpStatus.CONFLICT;
            default -> HttpStatus.BAD_REQUEST;
        };
        return ProblemDetail.forStatusAndDetail(status, p.getMessage());
    }
}
