package fr.catie.vaniila.platform;

import java.lang.management.ManagementFactory;

import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/** Tells the operator where to log in once the portal is ready. */
@Component
class ReadyBanner {

    @EventListener
    void ready(ApplicationReadyEvent event) {
        int port = event.getApplicationContext() instanceof WebServerApplicationContext web
                ? web.getWebServer().getPort() : -1;
        double seconds = ManagementFactory.getRuntimeMXBean().getUptime() / 1000.0;
        System.out.printf("Vaniila portal ready in %.1f s: log in at http://localhost:%d/%n", seconds, port);
    }
}
