# Sourced by the bench scripts.

# ready URL: waits up to 60 s for URL/readyz to answer 2xx.
ready() {
    for _ in $(seq 1 600); do
        curl -fsS -o /dev/null "$1/readyz" 2>/dev/null && return 0
        sleep 0.1
    done
    echo "no /readyz at $1" >&2
    return 1
}

# The nginx run.sh and proxy-cpu.sh measure the gateway against.
# nginx_conf DIR UPSTREAM_PORT LISTEN_PORT writes DIR/nginx.conf: 2 workers, keepalive to
# members-service on 127.0.0.1:UPSTREAM_PORT, the same path prefix as the gateway, no access log.
nginx_conf() {
    local dir=$1 upstream=$2 listen=$3
    mkdir -p "$dir/logs" "$dir/tmp"
    cat >"$dir/nginx.conf" <<CONF
worker_processes 2;
$( [[ $(id -u) == 0 ]] && echo "user root;")
pid $dir/nginx.pid;
error_log $dir/logs/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $dir/tmp/body;
    proxy_temp_path $dir/tmp/proxy;
    fastcgi_temp_path $dir/tmp/fastcgi;
    uwsgi_temp_path $dir/tmp/uwsgi;
    scgi_temp_path $dir/tmp/scgi;
    upstream members { server 127.0.0.1:$upstream; keepalive 64; }
    server {
        listen 127.0.0.1:$listen;
        location /api/v1/members/ {
            proxy_pass http://members;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host \$host;
            proxy_set_header X-Forwarded-For \$remote_addr;
        }
    }
}
CONF
}
