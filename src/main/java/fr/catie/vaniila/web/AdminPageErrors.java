package fr.catie.vaniila.web;

import java.io.IOException;

import fr.catie.vaniila.platform.Problem;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ExceptionHandler;

/**
 * Turns a module's {@link Problem} raised while reading an administration page into the portal's
 * error page with the matching status: another organisation's resource is a 404, a platform-only
 * page seen by an organisation admin a 403. Actions (POST) show their problems inline or as a flash
 * message instead, so they never get here.
 */
@ControllerAdvice(assignableTypes = {AdminController.class, AdminClusterController.class, AdminReportsController.class})
@Order(Ordered.HIGHEST_PRECEDENCE)
class AdminPageErrors {

    @ExceptionHandler(Problem.class)
    void problem(Problem p, HttpServletResponse response) throws IOException {
        response.sendError(p.kind().httpStatus());
    }
}
