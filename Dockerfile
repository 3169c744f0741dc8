# plothost gateway image: Node 20 on Debian, with bubblewrap for the worker sandbox and python3-seccomp for its
# syscall filter. Built by docker-compose.yml; `docker build -t plothost .` works on its own too.
FROM node:20-bookworm-slim
RUN apt-get update \
  && apt-get install -y --no-install-recommends bubblewrap python3 python3-seccomp redis-tools ca-certificates \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm install --omit=dev --no-audit --no-fund
COPY . .
ENV NODE_ENV=production PLOTHOST_DATA_DIR=/data PLOTHOST_ADDRESS=0.0.0.0
VOLUME /data
EXPOSE 5006
HEALTHCHECK --interval=10s --timeout=3s CMD node -e "fetch('http://127.0.0.1:5006/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["node", "bin/plothost.js"]
CMD ["serve"]
